/* expr.c: expressions of user-defined rules, from text to program
 * (docs/model.md section 9): the lexer, a recursive-descent parser that
 * resolves names through the caller's table and folds constants as it
 * builds the tree, the compile-time checks, and the compiler to the flat
 * program of expr_impl.h (a scalar part run once per call, a lane part
 * run over tiles). Evaluation is in expr_eval.c. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/strbuf.h"
#include "expr_impl.h"

/* ---- tokens ---------------------------------------------------------------- */

typedef enum {
    TK_END,
    TK_NUM,
    TK_NAME,
    TK_LPAREN,
    TK_RPAREN,
    TK_COMMA,
    TK_OP, /* an infix or prefix operator: op */
    TK_NOT
} token_kind;

typedef struct {
    token_kind kind;
    asim_xop op;  /* TK_OP */
    size_t pos;   /* byte offset in the text */
    size_t len;
    double value; /* TK_NUM */
} token;

/* Operators of the text, longest first. */
static const struct {
    const char *text;
    asim_xop op;
} operators[] = {
    {"<=", XOP_LE}, {">=", XOP_GE}, {"==", XOP_EQ}, {"!=", XOP_NE}, {"+", XOP_ADD},
    {"-", XOP_SUB}, {"*", XOP_MUL}, {"/", XOP_DIV}, {"^", XOP_POW}, {"<", XOP_LT},
    {">", XOP_GT},
};

/* Words that are operators, not names. */
static const struct {
    const char *word;
    token_kind kind;
    asim_xop op;
} keywords[] = {{"and", TK_OP, XOP_AND}, {"or", TK_OP, XOP_OR}, {"not", TK_NOT, XOP_NOT}};

/* Functions: name, operation, fewest and most arguments (0: no limit). */
typedef enum { FN_PLAIN, FN_FOLD, FN_CLAMP } fn_form;
static const struct {
    const char *name;
    asim_xop op;
    size_t min_args, max_args;
    fn_form form; /* FOLD: op over the arguments left to right; CLAMP: min(max(x, lo), hi) */
} functions[] = {
    {"if", XOP_IF, 3, 3, FN_PLAIN},          {"min", XOP_MIN, 2, 0, FN_FOLD},
    {"max", XOP_MAX, 2, 0, FN_FOLD},         {"abs", XOP_ABS, 1, 1, FN_PLAIN},
    {"exp", XOP_EXP, 1, 1, FN_PLAIN},        {"log", XOP_LOG, 1, 1, FN_PLAIN},
    {"sqrt", XOP_SQRT, 1, 1, FN_PLAIN},      {"logistic", XOP_LOGISTIC, 1, 1, FN_PLAIN},
    {"clamp", XOP_MIN, 3, 3, FN_CLAMP},
};
#define N_FUNCTIONS (sizeof functions / sizeof functions[0])

/* ---- the tree -------------------------------------------------------------- */

/* What is known of a node's value: a constant, one value for all lanes
 * known only at evaluation, or a value per lane. Ordered. */
typedef enum { SH_CONST, SH_SCALAR, SH_LANE } shape;

typedef enum { ND_OP, ND_CONST, ND_PARAM, ND_LANE } node_kind;

typedef struct {
    node_kind kind;
    shape sh;
    asim_xop op;    /* ND_OP */
    size_t nkids;   /* ND_OP */
    size_t kid[3];  /* ND_OP */
    size_t pos;     /* byte offset of its operator, function or name */
    double value;   /* ND_CONST */
    size_t slot;    /* ND_PARAM, ND_LANE */
    size_t need;    /* tile registers its lane code needs */
} node;

#define NO_NODE ((size_t)-1)

typedef struct {
    const char *text;
    size_t len;
    const asim_expr_names *names;
    token tok;            /* the current token */
    size_t depth;         /* nesting of the current parse */
    node *nodes;
    size_t nnodes, cap;
    unsigned char *used;  /* [names->count] */
    asim_expr_error *err; /* never NULL inside */
    asim_status status;   /* first failure */
    /* the program being built */
    asim_xinsn *scalar, *lane;
    size_t nscalar, nlane, ninsn_cap;
    double *consts;
    size_t nconst;
    uint32_t regs_busy;   /* bit r: register r holds a live value */
    size_t nregs, ntemps;
} compiler;

/* Record the first failure: status s at byte offset pos (column pos + 1). */
__attribute__((format(printf, 4, 5))) static size_t fail(compiler *c, asim_status s, size_t pos,
                                                          const char *fmt, ...)
{
    if (c->status == ASIM_OK) {
        c->status = s;
        c->err->column = s == ASIM_ENOMEM ? 0 : pos + 1;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
        va_end(ap);
    }
    return NO_NODE;
}

static size_t out_of_memory(compiler *c) { return fail(c, ASIM_ENOMEM, 0, "out of memory"); }

/* ---- lexer ----------------------------------------------------------------- */

static int name_start(int ch) { return isalpha(ch) || ch == '_'; }
static int name_char(int ch) { return isalnum(ch) || ch == '_'; }

static unsigned char at(const compiler *c, size_t i) { return i < c->len ? (unsigned char)c->text[i] : 0; }

/* A number: digits [. digits] [e [+-] digits], or . digits [...]. */
static int lex_number(compiler *c, token *t)
{
    size_t i = t->pos, digits = 0;
    for (; isdigit(at(c, i)); i++)
        digits++;
    if (at(c, i) == '.')
        for (i++; isdigit(at(c, i)); i++)
            digits++;
    if (digits && (at(c, i) == 'e' || at(c, i) == 'E')) {
        size_t j = i + 1;
        if (at(c, j) == '+' || at(c, j) == '-')
            j++;
        if (!isdigit(at(c, j))) {
            fail(c, ASIM_ECONFIG, t->pos, "malformed number: exponent without digits");
            return -1;
        }
        for (i = j; isdigit(at(c, i)); i++) {
        }
    }
    if (!digits || name_char(at(c, i)) || at(c, i) == '.') {
        while (name_char(at(c, i)) || at(c, i) == '.')
            i++;
        fail(c, ASIM_ECONFIG, t->pos, "malformed number '%.*s'", (int)(i - t->pos < 40 ? i - t->pos : 40),
             c->text + t->pos);
        return -1;
    }
    char buf[ASIM_EXPR_MAX_LENGTH + 1];
    memcpy(buf, c->text + t->pos, i - t->pos);
    buf[i - t->pos] = '\0';
    t->value = strtod(buf, NULL);
    t->len = i - t->pos;
    t->kind = TK_NUM;
    if (!isfinite(t->value)) {
        fail(c, ASIM_ECONFIG, t->pos, "number %.40s is too large (not a finite double)", buf);
        return -1;
    }
    return 0;
}

/* A name: identifiers joined by dots (partner.A, rules.diversion.pressure). */
static int lex_name(compiler *c, token *t)
{
    size_t i = t->pos;
    for (;;) {
        while (name_char(at(c, i)))
            i++;
        if (at(c, i) != '.')
            break;
        if (!name_start(at(c, i + 1))) {
            fail(c, ASIM_ECONFIG, t->pos, "malformed name '%.*s': a dot must be followed by a name",
                 (int)(i + 1 - t->pos < 64 ? i + 1 - t->pos : 64), c->text + t->pos);
            return -1;
        }
        i++;
    }
    t->kind = TK_NAME;
    t->len = i - t->pos;
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
        if (strlen(keywords[k].word) == t->len && memcmp(keywords[k].word, c->text + t->pos, t->len) == 0) {
            t->kind = keywords[k].kind;
            t->op = keywords[k].op;
        }
    return 0;
}

/* A character no token starts with, explained. */
static void lex_stray(compiler *c, size_t pos)
{
    unsigned char ch = at(c, pos);
    const char *hint = ch == '=' ? " (compare with '==')"
                       : ch == '!' ? " (write 'not' or '!=')"
                       : ch == '&' ? " (write 'and')"
                       : ch == '|' ? " (write 'or')"
                       : ch == '.' ? " (a number needs a digit)"
                                   : "";
    if (isprint(ch))
        fail(c, ASIM_ECONFIG, pos, "unexpected character '%c'%s", ch, hint);
    else
        fail(c, ASIM_ECONFIG, pos, "unexpected byte 0x%02x", ch);
}

/* Read the token at or after byte offset pos into c->tok; -1 on error. */
static int lex(compiler *c, size_t pos)
{
    while (at(c, pos) == ' ' || at(c, pos) == '\t' || at(c, pos) == '\n' || at(c, pos) == '\r')
        pos++;
    token *t = &c->tok;
    memset(t, 0, sizeof *t);
    t->pos = pos;
    unsigned char ch = at(c, pos);
    if (pos >= c->len)
        return t->kind = TK_END, 0;
    if (isdigit(ch) || (ch == '.' && isdigit(at(c, pos + 1))))
        return lex_number(c, t);
    if (name_start(ch))
        return lex_name(c, t);
    static const char single[] = "(),";
    static const token_kind single_kind[] = {TK_LPAREN, TK_RPAREN, TK_COMMA};
    for (size_t k = 0; k < 3; k++)
        if (ch == (unsigned char)single[k])
            return t->kind = single_kind[k], t->len = 1, 0;
    for (size_t k = 0; k < sizeof operators / sizeof operators[0]; k++) {
        size_t n = strlen(operators[k].text);
        if (pos + n <= c->len && memcmp(c->text + pos, operators[k].text, n) == 0)
            return t->kind = TK_OP, t->op = operators[k].op, t->len = n, 0;
    }
    lex_stray(c, pos);
    return -1;
}

static int next(compiler *c) { return lex(c, c->tok.pos + c->tok.len); }

/* The current token, quoted for a message. */
static void describe(const compiler *c, char *buf, size_t n)
{
    const token *t = &c->tok;
    if (t->kind == TK_END)
        snprintf(buf, n, "end of expression");
    else if (t->kind == TK_NUM)
        snprintf(buf, n, "number %.*s", (int)(t->len < 40 ? t->len : 40), c->text + t->pos);
    else if (t->kind == TK_NAME)
        snprintf(buf, n, "name '%.*s'", (int)(t->len < 64 ? t->len : 64), c->text + t->pos);
    else
        snprintf(buf, n, "'%.*s'", (int)t->len, c->text + t->pos);
}

/* ---- names and suggestions ------------------------------------------------- */


/* Keep candidate s in *pick when it is nearer to word than *best edits. */
static void nearer(const char *word, size_t len, const char *s, size_t *best, const char **pick)
{
    size_t d = s ? asim_str_distance(word, len, s) : (size_t)-1;
    if (d < *best) {
        *best = d;
        *pick = s;
    }
}

/* pick, when it is near enough to word to suggest: at most a third of
 * the word's length, or 1, edits away. */
static const char *near_enough(size_t len, size_t best, const char *pick)
{
    size_t limit = len / 3 > 1 ? len / 3 : 1;
    return best <= limit ? pick : NULL;
}

/* The name of the table nearest to word, if near enough. */
static const char *suggest_name(const compiler *c, const char *word, size_t len)
{
    size_t best = (size_t)-1;
    const char *pick = NULL;
    for (size_t k = 0; k < c->names->count; k++)
        nearer(word, len, c->names->v[k].name, &best, &pick);
    return near_enough(len, best, pick);
}

/* The function nearest to word, if near enough. */
static const char *suggest_function(const char *word, size_t len)
{
    size_t best = (size_t)-1;
    const char *pick = NULL;
    for (size_t k = 0; k < N_FUNCTIONS; k++)
        nearer(word, len, functions[k].name, &best, &pick);
    return near_enough(len, best, pick);
}

/* Index of the name t in the table, or -1. */
static long find_name(const compiler *c, const token *t)
{
    for (size_t k = 0; k < c->names->count; k++) {
        const char *s = c->names->v[k].name;
        if (s && strlen(s) == t->len && memcmp(s, c->text + t->pos, t->len) == 0)
            return (long)k;
    }
    return -1;
}

static long find_function(const compiler *c, const token *t)
{
    for (size_t k = 0; k < N_FUNCTIONS; k++)
        if (strlen(functions[k].name) == t->len && memcmp(functions[k].name, c->text + t->pos, t->len) == 0)
            return (long)k;
    return -1;
}

/* ---- nodes, with the compile-time checks and constant folding -------------- */

static size_t new_node(compiler *c, node_kind kind, size_t pos)
{
    if (c->nnodes == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        node *v = realloc(c->nodes, cap * sizeof *v);
        if (!v)
            return out_of_memory(c);
        c->nodes = v;
        c->cap = cap;
    }
    node *n = &c->nodes[c->nnodes];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->pos = pos;
    return c->nnodes++;
}

static size_t const_node(compiler *c, double value, size_t pos)
{
    size_t k = new_node(c, ND_CONST, pos);
    if (k != NO_NODE) {
        c->nodes[k].value = value;
        c->nodes[k].sh = SH_CONST;
    }
    return k;
}

static const char *op_text(asim_xop op)
{
    static const char *const text[] = {
#define ASIM_XOP_TEXT(name, t, arity) t,
        ASIM_XOP_LIST(ASIM_XOP_TEXT)
#undef ASIM_XOP_TEXT
    };
    return text[op];
}

/* Operations never defined whatever the lanes hold, found from their
 * constant operands: division by 0, log of a number <= 0, sqrt of a
 * negative number. */
static int check_domain(compiler *c, asim_xop op, const size_t *kid, size_t pos)
{
    const node *last = &c->nodes[kid[op == XOP_DIV ? 1 : 0]];
    if (last->sh != SH_CONST)
        return 0;
    double v = last->value;
    if (op == XOP_DIV && v == 0)
        return fail(c, ASIM_ECONFIG, pos, "division by zero"), -1;
    if (op == XOP_LOG && v <= 0)
        return fail(c, ASIM_ECONFIG, pos, "log of %s is not defined", v == 0 ? "0" : "a negative number"), -1;
    if (op == XOP_SQRT && v < 0)
        return fail(c, ASIM_ECONFIG, pos, "sqrt of a negative number is not defined"), -1;
    return 0;
}

/* Node op(kid...), folded to a constant when its operands are constants
 * (and an if with a constant condition to the branch it takes). */
static size_t op_node(compiler *c, asim_xop op, size_t nkids, const size_t *kid, size_t pos)
{
    for (size_t k = 0; k < nkids; k++)
        if (kid[k] == NO_NODE)
            return NO_NODE;
    if ((op == XOP_DIV || op == XOP_LOG || op == XOP_SQRT) && check_domain(c, op, kid, pos) < 0)
        return NO_NODE;
    shape sh = SH_CONST;
    double v[3] = {0, 0, 0};
    for (size_t k = 0; k < nkids; k++) {
        const node *n = &c->nodes[kid[k]];
        sh = n->sh > sh ? n->sh : sh;
        v[k] = n->value;
    }
    if (op == XOP_IF && c->nodes[kid[0]].sh == SH_CONST && v[0] == v[0])
        return v[0] != 0 ? kid[1] : kid[2];
    if (sh == SH_CONST) {
        double r = asim_xop_apply(op, v[0], v[1], v[2]);
        if (!isfinite(r))
            return fail(c, ASIM_ECONFIG, pos, "'%s' of constants gives %s, not a finite number", op_text(op),
                        r != r ? "NaN" : "an infinity");
        return const_node(c, r, pos);
    }
    size_t k = new_node(c, ND_OP, pos);
    if (k == NO_NODE)
        return NO_NODE;
    node *n = &c->nodes[k];
    n->op = op;
    n->sh = sh;
    n->nkids = nkids;
    memcpy(n->kid, kid, nkids * sizeof *kid);
    return k;
}

static size_t op1(compiler *c, asim_xop op, size_t a, size_t pos) { return op_node(c, op, 1, &a, pos); }

static size_t op2(compiler *c, asim_xop op, size_t a, size_t b, size_t pos)
{
    size_t kid[2] = {a, b};
    return op_node(c, op, 2, kid, pos);
}

/* The node of the name token t (a table entry). */
static size_t name_node(compiler *c, const token *t)
{
    long k = find_name(c, t);
    if (k < 0) {
        const char *near = suggest_name(c, c->text + t->pos, t->len);
        int width = (int)(t->len < 64 ? t->len : 64);
        if (find_function(c, t) >= 0)
            return fail(c, ASIM_ECONFIG, t->pos, "%.*s is a function: write %.*s(...)", width,
                        c->text + t->pos, width, c->text + t->pos);
        if (near)
            return fail(c, ASIM_ECONFIG, t->pos, "unknown name '%.*s' (did you mean %s?)", width,
                        c->text + t->pos, near);
        return fail(c, ASIM_ECONFIG, t->pos, "unknown name '%.*s'", width, c->text + t->pos);
    }
    c->used[k] = 1;
    const asim_expr_name *e = &c->names->v[k];
    if (e->kind == ASIM_EXPR_CONST) {
        if (!isfinite(e->value))
            return fail(c, ASIM_ECONFIG, t->pos, "%s is not a finite number", e->name);
        return const_node(c, e->value, t->pos);
    }
    size_t n = new_node(c, e->kind == ASIM_EXPR_LANE ? ND_LANE : ND_PARAM, t->pos);
    if (n != NO_NODE) {
        c->nodes[n].slot = e->slot;
        c->nodes[n].sh = e->kind == ASIM_EXPR_LANE ? SH_LANE : SH_SCALAR;
    }
    return n;
}

/* ---- parser ---------------------------------------------------------------- */

static size_t parse_or(compiler *c);
static size_t parse_unary(compiler *c);

/* Enter one more level of nesting at byte offset pos; -1 when too deep. */
static int enter(compiler *c, size_t pos)
{
    if (++c->depth > ASIM_EXPR_MAX_DEPTH) {
        fail(c, ASIM_ECONFIG, pos, "nested too deeply (more than %d levels)", ASIM_EXPR_MAX_DEPTH);
        return -1;
    }
    return 0;
}

/* The token expected here is not the current one. */
static size_t unexpected(compiler *c, const char *wanted)
{
    char what[96];
    describe(c, what, sizeof what);
    return fail(c, ASIM_ECONFIG, c->tok.pos, "expected %s, found %s", wanted, what);
}

/* Arguments of a call of function f, the current token being its '(':
 * up to 64 (more are an error). */
static size_t parse_call(compiler *c, size_t f, size_t pos)
{
    enum { MAX_ARGS = 64 };
    size_t arg[MAX_ARGS], nargs = 0;
    if (next(c) < 0)
        return NO_NODE;
    if (c->tok.kind != TK_RPAREN)
        for (;;) {
            size_t a = parse_or(c);
            if (a == NO_NODE)
                return NO_NODE;
            if (nargs == MAX_ARGS)
                return fail(c, ASIM_ECONFIG, pos, "%s: more than %d arguments", functions[f].name, MAX_ARGS);
            arg[nargs++] = a;
            if (c->tok.kind != TK_COMMA)
                break;
            if (next(c) < 0)
                return NO_NODE;
        }
    if (c->tok.kind != TK_RPAREN)
        return unexpected(c, "',' or ')'");
    size_t lo = functions[f].min_args, hi = functions[f].max_args;
    if (nargs < lo || (hi && nargs > hi)) {
        if (lo == hi)
            return fail(c, ASIM_ECONFIG, pos, "%s takes %zu argument%s, not %zu", functions[f].name, lo,
                        lo == 1 ? "" : "s", nargs);
        return fail(c, ASIM_ECONFIG, pos, "%s takes at least %zu arguments, not %zu", functions[f].name, lo,
                    nargs);
    }
    if (next(c) < 0)
        return NO_NODE;
    if (functions[f].form == FN_CLAMP) {
        const node *l = &c->nodes[arg[1]], *h = &c->nodes[arg[2]];
        if (l->sh == SH_CONST && h->sh == SH_CONST && l->value > h->value)
            return fail(c, ASIM_ECONFIG, pos, "clamp: the lower bound %.17g is above the upper bound %.17g",
                        l->value, h->value);
        return op2(c, XOP_MIN, op2(c, XOP_MAX, arg[0], arg[1], pos), arg[2], pos);
    }
    if (functions[f].form == FN_FOLD) {
        size_t acc = arg[0];
        for (size_t k = 1; k < nargs; k++)
            acc = op2(c, functions[f].op, acc, arg[k], pos);
        return acc;
    }
    return op_node(c, functions[f].op, nargs, arg, pos);
}

/* A name, or a call when the name is followed by '('. */
static size_t parse_name(compiler *c)
{
    token t = c->tok;
    if (next(c) < 0)
        return NO_NODE;
    if (c->tok.kind != TK_LPAREN)
        return name_node(c, &t);
    int width = (int)(t.len < 64 ? t.len : 64);
    long f = find_function(c, &t);
    if (f < 0) {
        const char *near = suggest_function(c->text + t.pos, t.len);
        if (near)
            return fail(c, ASIM_ECONFIG, t.pos, "unknown function '%.*s' (did you mean %s?)", width,
                        c->text + t.pos, near);
        return fail(c, ASIM_ECONFIG, t.pos, "unknown function '%.*s'", width, c->text + t.pos);
    }
    if (enter(c, t.pos) < 0)
        return NO_NODE;
    size_t r = parse_call(c, (size_t)f, t.pos);
    c->depth--;
    return r;
}

/* primary = number | name | call | "(" expr ")" */
static size_t parse_primary(compiler *c)
{
    token t = c->tok;
    if (t.kind == TK_NUM) {
        if (next(c) < 0)
            return NO_NODE;
        return const_node(c, t.value, t.pos);
    }
    if (t.kind == TK_NAME)
        return parse_name(c);
    if (t.kind != TK_LPAREN)
        return unexpected(c, "a number, a name or '('");
    if (enter(c, t.pos) < 0 || next(c) < 0)
        return NO_NODE;
    size_t e = parse_or(c);
    if (e == NO_NODE)
        return NO_NODE;
    if (c->tok.kind != TK_RPAREN)
        return unexpected(c, "')'");
    c->depth--;
    return next(c) < 0 ? NO_NODE : e;
}

/* power = primary [ "^" unary ]   (right-associative through unary) */
static size_t parse_power(compiler *c)
{
    size_t base = parse_primary(c);
    if (base == NO_NODE || c->tok.kind != TK_OP || c->tok.op != XOP_POW)
        return base;
    size_t pos = c->tok.pos;
    if (enter(c, pos) < 0 || next(c) < 0)
        return NO_NODE;
    size_t e = parse_unary(c);
    c->depth--;
    return op2(c, XOP_POW, base, e, pos);
}

/* unary = "-" unary | power */
static size_t parse_unary(compiler *c)
{
    if (c->tok.kind != TK_OP || c->tok.op != XOP_SUB)
        return parse_power(c);
    size_t pos = c->tok.pos;
    if (enter(c, pos) < 0 || next(c) < 0)
        return NO_NODE;
    size_t x = parse_unary(c);
    c->depth--;
    return op1(c, XOP_NEG, x, pos);
}

/* A left-associative level: sub { op sub } for the operators in ops. */
static size_t parse_left(compiler *c, size_t (*sub)(compiler *), const asim_xop *ops, size_t nops)
{
    size_t l = sub(c);
    while (l != NO_NODE && c->tok.kind == TK_OP) {
        size_t k = 0;
        while (k < nops && ops[k] != c->tok.op)
            k++;
        if (k == nops)
            break;
        size_t pos = c->tok.pos;
        if (next(c) < 0)
            return NO_NODE;
        l = op2(c, ops[k], l, sub(c), pos);
    }
    return l;
}

static size_t parse_product(compiler *c)
{
    static const asim_xop ops[] = {XOP_MUL, XOP_DIV};
    return parse_left(c, parse_unary, ops, 2);
}

static size_t parse_sum(compiler *c)
{
    static const asim_xop ops[] = {XOP_ADD, XOP_SUB};
    return parse_left(c, parse_product, ops, 2);
}

static int is_comparison(const token *t)
{
    return t->kind == TK_OP && t->op >= XOP_LT && t->op <= XOP_NE;
}

/* comparison = sum [ cmp sum ]   (comparisons do not chain) */
static size_t parse_comparison(compiler *c)
{
    size_t l = parse_sum(c);
    if (l == NO_NODE || !is_comparison(&c->tok))
        return l;
    token t = c->tok;
    if (next(c) < 0)
        return NO_NODE;
    size_t r = op2(c, t.op, l, parse_sum(c), t.pos);
    if (r != NO_NODE && is_comparison(&c->tok))
        return fail(c, ASIM_ECONFIG, c->tok.pos,
                    "comparisons do not chain: write (a %s b) and (b %.*s c)", op_text(t.op), (int)c->tok.len,
                    c->text + c->tok.pos);
    return r;
}

/* not = "not" not | comparison */
static size_t parse_not(compiler *c)
{
    if (c->tok.kind != TK_NOT)
        return parse_comparison(c);
    size_t pos = c->tok.pos;
    if (enter(c, pos) < 0 || next(c) < 0)
        return NO_NODE;
    size_t x = parse_not(c);
    c->depth--;
    return op1(c, XOP_NOT, x, pos);
}

static size_t parse_and(compiler *c)
{
    static const asim_xop ops[] = {XOP_AND};
    return parse_left(c, parse_not, ops, 1);
}

/* expr = or */
static size_t parse_or(compiler *c)
{
    static const asim_xop ops[] = {XOP_OR};
    return parse_left(c, parse_and, ops, 1);
}

/* The whole text: one expression and nothing after it. */
static size_t parse_text(compiler *c)
{
    if (lex(c, 0) < 0)
        return NO_NODE;
    if (c->tok.kind == TK_END)
        return fail(c, ASIM_ECONFIG, c->tok.pos, "empty expression");
    size_t root = parse_or(c);
    if (root == NO_NODE || c->tok.kind == TK_END)
        return root;
    if (c->tok.kind == TK_RPAREN)
        return fail(c, ASIM_ECONFIG, c->tok.pos, "unmatched ')'");
    char what[96];
    describe(c, what, sizeof what);
    return fail(c, ASIM_ECONFIG, c->tok.pos, "expected an operator, found %s", what);
}

/* ---- compiler -------------------------------------------------------------- */

static int emit(compiler *c, int lane, asim_xinsn in)
{
    if (c->nscalar + c->nlane == c->ninsn_cap) {
        size_t cap = c->ninsn_cap ? 2 * c->ninsn_cap : 16;
        asim_xinsn *s = realloc(c->scalar, cap * sizeof *s);
        if (s)
            c->scalar = s;
        asim_xinsn *l = s ? realloc(c->lane, cap * sizeof *l) : NULL;
        if (!l)
            return out_of_memory(c), -1;
        c->lane = l;
        c->ninsn_cap = cap;
    }
    if (lane)
        c->lane[c->nlane++] = in;
    else
        c->scalar[c->nscalar++] = in;
    return 0;
}

static asim_xref ref(asim_xref_space space, size_t index)
{
    asim_xref r = {(uint8_t)space, (uint32_t)index};
    return r;
}

static const asim_xref no_ref = {XREF_NONE, 0};

/* The constant v among the program's constants. */
static int const_ref(compiler *c, double v, asim_xref *r)
{
    size_t k = 0;
    while (k < c->nconst && memcmp(&c->consts[k], &v, sizeof v) != 0)
        k++;
    if (k == c->nconst) {
        double *p = realloc(c->consts, (c->nconst + 1) * sizeof *p);
        if (!p)
            return out_of_memory(c), -1;
        c->consts = p;
        c->consts[c->nconst++] = v;
    }
    *r = ref(XREF_CONST, k);
    return 0;
}

/* Reference to the value of a constant or scalar node, the scalar part
 * computing it when it is an operation. */
static int scalar_code(compiler *c, size_t k, asim_xref *r)
{
    const node *n = &c->nodes[k];
    if (n->kind == ND_CONST)
        return const_ref(c, n->value, r);
    if (n->kind == ND_PARAM)
        return *r = ref(XREF_PARAM, n->slot), 0;
    asim_xinsn in = {(uint8_t)n->op, 0, no_ref, {no_ref, no_ref, no_ref}};
    for (size_t j = 0; j < n->nkids; j++)
        if (scalar_code(c, n->kid[j], &in.x[j]) < 0)
            return -1;
    if (c->ntemps == ASIM_EXPR_MAX_TEMPS)
        return fail(c, ASIM_ECONFIG, n->pos, "too complex: more than %d parameter subexpressions",
                    ASIM_EXPR_MAX_TEMPS), -1;
    in.dst = *r = ref(XREF_TEMP, c->ntemps++);
    return emit(c, 0, in);
}

/* Tile registers node k's lane code needs (Sethi-Ullman): its lane
 * operands computed in decreasing order of need, each result held while
 * the next is computed, plus one for its own result. */
static size_t need(compiler *c, size_t k)
{
    node *n = &c->nodes[k];
    if (n->kind != ND_OP || n->sh != SH_LANE)
        return n->need = 0;
    size_t kneed[3] = {0, 0, 0}, held = 0;
    for (size_t j = 0; j < n->nkids; j++) {
        kneed[j] = need(c, n->kid[j]);
        held += kneed[j] > 0;
    }
    /* sort the three needs, largest first */
    for (size_t a = 0; a < 3; a++)
        for (size_t b = a + 1; b < 3; b++)
            if (kneed[b] > kneed[a]) {
                size_t t = kneed[a];
                kneed[a] = kneed[b];
                kneed[b] = t;
            }
    size_t most = held + 1;
    for (size_t j = 0; j < 3; j++)
        if (kneed[j] + j > most)
            most = kneed[j] + j;
    return n->need = most;
}

static int take_reg(compiler *c, size_t pos, asim_xref *r)
{
    for (size_t k = 0; k < ASIM_EXPR_MAX_REGS; k++)
        if (!(c->regs_busy >> k & 1u)) {
            c->regs_busy |= 1u << k;
            c->nregs = k + 1 > c->nregs ? k + 1 : c->nregs;
            *r = ref(XREF_REG, k);
            return 0;
        }
    return fail(c, ASIM_ECONFIG, pos, "too complex: more than %d registers", ASIM_EXPR_MAX_REGS), -1;
}

static void drop_reg(compiler *c, asim_xref r)
{
    if (r.space == XREF_REG)
        c->regs_busy &= ~(1u << r.index);
}

/* Lane code of node k, whose result goes to dst (a fresh register when
 * dst is NULL); *r says where the result is. */
static int lane_code(compiler *c, size_t k, const asim_xref *dst, asim_xref *r)
{
    const node *n = &c->nodes[k];
    if (n->sh != SH_LANE)
        return scalar_code(c, k, r);
    if (n->kind == ND_LANE)
        return *r = ref(XREF_LANE, n->slot), 0;
    asim_xinsn in = {(uint8_t)n->op, 0, no_ref, {no_ref, no_ref, no_ref}};
    size_t order[3] = {0, 1, 2};
    for (size_t a = 0; a < n->nkids; a++) /* operands by decreasing need */
        for (size_t b = a + 1; b < n->nkids; b++)
            if (c->nodes[n->kid[order[b]]].need > c->nodes[n->kid[order[a]]].need) {
                size_t t = order[a];
                order[a] = order[b];
                order[b] = t;
            }
    for (size_t j = 0; j < n->nkids; j++) {
        size_t o = order[j];
        if (lane_code(c, n->kid[o], NULL, &in.x[o]) < 0)
            return -1;
        if (c->nodes[n->kid[o]].sh == SH_LANE)
            in.shape |= (uint8_t)(1u << o);
    }
    if (dst)
        in.dst = *dst;
    else if (take_reg(c, n->pos, &in.dst) < 0)
        return -1;
    for (size_t j = 0; j < n->nkids; j++)
        drop_reg(c, in.x[j]);
    *r = in.dst;
    return emit(c, 1, in);
}

/* The program of the tree at root: the root's instruction writes OUT; a
 * root that is a lane input, a parameter or a constant is copied there. */
static int compile_tree(compiler *c, size_t root)
{
    asim_xref out = ref(XREF_OUT, 0), r;
    const node *n = &c->nodes[root];
    if (n->kind == ND_OP && n->sh == SH_LANE) {
        need(c, root);
        return lane_code(c, root, &out, &r);
    }
    asim_xinsn in = {XOP_COPY, 0, out, {no_ref, no_ref, no_ref}};
    if (lane_code(c, root, NULL, &in.x[0]) < 0)
        return -1;
    in.shape = n->sh == SH_LANE ? 1 : 0;
    return emit(c, 1, in);
}

/* ---- the compiled expression ----------------------------------------------- */

static asim_status finish(compiler *c, size_t root, asim_expr **out)
{
    asim_expr *e = calloc(1, sizeof *e);
    if (!e)
        return out_of_memory(c), c->status;
    const node *n = &c->nodes[root];
    e->constant = n->sh == SH_CONST;
    e->value = n->value;
    e->scalar = c->scalar, e->nscalar = c->nscalar;
    e->lane = c->lane, e->nlane = c->nlane;
    e->consts = c->consts, e->nconst = c->nconst;
    e->nregs = c->nregs, e->ntemps = c->ntemps;
    c->scalar = c->lane = NULL;
    c->consts = NULL;
    for (size_t k = 0; k < c->names->count; k++)
        e->nuses += c->used[k];
    e->uses = malloc((e->nuses ? e->nuses : 1) * sizeof *e->uses);
    if (!e->uses) {
        asim_expr_free(e);
        return out_of_memory(c), c->status;
    }
    for (size_t k = 0, j = 0; k < c->names->count; k++)
        if (c->used[k])
            e->uses[j++] = k;
    *out = e;
    return ASIM_OK;
}

asim_status asim_expr_compile(const char *text, const asim_expr_names *names, asim_expr **out,
                              asim_expr_error *err)
{
    asim_expr_error scratch;
    static const asim_expr_names none = {NULL, 0};
    compiler c = {0};
    c.err = err ? err : &scratch;
    c.err->column = 0;
    c.err->msg[0] = '\0';
    c.text = text ? text : "";
    c.names = names ? names : &none;
    c.len = strlen(c.text);
    *out = NULL;
    if (c.len > ASIM_EXPR_MAX_LENGTH)
        fail(&c, ASIM_ECONFIG, ASIM_EXPR_MAX_LENGTH, "longer than %d characters", ASIM_EXPR_MAX_LENGTH);
    else if (!(c.used = calloc(c.names->count ? c.names->count : 1, 1)))
        out_of_memory(&c);
    else {
        size_t root = parse_text(&c);
        if (root != NO_NODE && compile_tree(&c, root) == 0)
            finish(&c, root, out);
    }
    free(c.nodes);
    free(c.used);
    free(c.scalar);
    free(c.lane);
    free(c.consts);
    return c.status;
}

void asim_expr_free(asim_expr *e)
{
    if (!e)
        return;
    free(e->scalar);
    free(e->lane);
    free(e->consts);
    free(e->uses);
    free(e);
}

size_t asim_expr_uses(const asim_expr *e, size_t *idx, size_t cap)
{
    for (size_t k = 0; k < e->nuses && k < cap; k++)
        idx[k] = e->uses[k];
    return e->nuses;
}

int asim_expr_constant(const asim_expr *e, double *value)
{
    if (e->constant)
        *value = e->value;
    return e->constant;
}
