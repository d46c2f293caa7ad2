/* fmt.c: printf("%.17g") for doubles, exact and fast.
 *
 * A finite v = m 2^e (m an integer below 2^53) with decimal exponent k
 * (10^k <= |v| < 10^(k+1)) prints as the 17-digit integer
 * N = round(|v| 10^(16-k)), rounded to nearest with ties to even (as
 * glibc's printf rounds the exact binary value), followed by %g's layout:
 * fixed notation for -4 <= k < 17, scientific otherwise, trailing zeros
 * removed. For 16 - k = s in [0, 27] the product m 5^s 2^(e+s) is exact
 * in 128-bit integers (m 5^s < 2^116), so N and its rounding are exact.
 * Values outside that range (below 1e-11 or at least 1e17 in magnitude),
 * subnormals, infinities and NaN go to snprintf, as does everything when
 * the compiler has no 128-bit integers. A test compares the two on millions
 * of doubles of every kind. */
#include "allysim/fmt.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define POW5_MAX 27
#define DIGITS 17

static size_t fallback(double v, char *buf)
{
    int n = snprintf(buf, ASIM_FMT_G17_MAX, "%.17g", v);
    return n > 0 ? (size_t)n : 0;
}

#if defined(__SIZEOF_INT128__)

__extension__ typedef unsigned __int128 u128;

static const uint64_t pow5[POW5_MAX + 1] = {
    1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull, 390625ull, 1953125ull,
    9765625ull, 48828125ull, 244140625ull, 1220703125ull, 6103515625ull, 30517578125ull,
    152587890625ull, 762939453125ull, 3814697265625ull, 19073486328125ull, 95367431640625ull,
    476837158203125ull, 2384185791015625ull, 11920928955078125ull, 59604644775390625ull,
    298023223876953125ull, 1490116119384765625ull, 7450580596923828125ull};

static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* round(m 5^s 2^b), ties to even; b may be negative. */
static uint64_t scaled(uint64_t m, int s, int b)
{
    u128 x = (u128)m * pow5[s];
    if (b >= 0)
        return (uint64_t)(x << b);
    unsigned sh = (unsigned)-b;
    if (sh >= 128)
        return 0;
    u128 q = x >> sh, rem = x - (q << sh), half = (u128)1 << (sh - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    return (uint64_t)q;
}

/* The 17 digits of n (10^16 <= n < 10^17) into d. */
static void digits17(uint64_t n, char *d)
{
    d[16] = (char)('0' + n % 10);
    n /= 10;
    for (int i = 14; i >= 0; i -= 2) {
        unsigned r = (unsigned)(n % 100);
        n /= 100;
        d[i] = pairs[2 * r];
        d[i + 1] = pairs[2 * r + 1];
    }
}

size_t asim_fmt_g17(double v, char *buf)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int neg = (int)(bits >> 63);
    int be = (int)((bits >> 52) & 0x7ff);
    uint64_t m = bits & 0x000fffffffffffffull;
    if (be == 0 && m == 0) { /* "0" or "-0" */
        buf[0] = '-';
        buf[neg] = '0';
        buf[neg + 1] = '\0';
        return (size_t)neg + 1;
    }
    if (be == 0 || be == 0x7ff)
        return fallback(v, buf); /* subnormal, inf, NaN */
    m |= 1ull << 52;
    int e = be - 1075; /* |v| = m 2^e */
    /* k from the binary exponent: floor((e + 52) log10 2), maybe one low */
    int k = (int)(((int64_t)(e + 52) * 78913) >> 18);
    const uint64_t lo = 10000000000000000ull, hi = 100000000000000000ull; /* 10^16, 10^17 */
    uint64_t n = 0;
    for (int tries = 0; tries < 3; tries++) {
        int s = DIGITS - 1 - k;
        if (s < 0 || s > POW5_MAX)
            return fallback(v, buf);
        n = scaled(m, s, e + s);
        if (n >= hi)
            k++;
        else if (n < lo)
            k--;
        else
            break;
    }
    if (n < lo || n >= hi)
        return fallback(v, buf);
    char d[DIGITS];
    digits17(n, d);
    int nd = DIGITS;
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    char *q = buf;
    if (neg)
        *q++ = '-';
    if (k >= -4 && k < DIGITS) { /* fixed: k + 1 integer digits, or 0.000ddd */
        if (k >= 0) {
            memcpy(q, d, (size_t)k + 1);
            q += k + 1;
            if (nd > k + 1) {
                *q++ = '.';
                memcpy(q, d + k + 1, (size_t)(nd - k - 1));
                q += nd - k - 1;
            }
        } else {
            *q++ = '0';
            *q++ = '.';
            for (int z = 0; z < -k - 1; z++)
                *q++ = '0';
            memcpy(q, d, (size_t)nd);
            q += nd;
        }
    } else { /* scientific: d.ddde+XX */
        *q++ = d[0];
        if (nd > 1) {
            *q++ = '.';
            memcpy(q, d + 1, (size_t)nd - 1);
            q += nd - 1;
        }
        *q++ = 'e';
        int x = k;
        *q++ = x < 0 ? '-' : '+';
        if (x < 0)
            x = -x;
        if (x >= 100) {
            *q++ = (char)('0' + x / 100);
            x %= 100;
        }
        *q++ = pairs[2 * x];
        *q++ = pairs[2 * x + 1];
    }
    *q = '\0';
    return (size_t)(q - buf);
}

#else /* no 128-bit integers: printf itself */

size_t asim_fmt_g17(double v, char *buf) { return fallback(v, buf); }

#endif
