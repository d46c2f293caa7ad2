# wasm.cmake: the WebAssembly build of the explorer page (preset wasm,
# configured with Emscripten's toolchain file; README "allysim in the
# browser"). Included by CMakeLists.txt instead of the native build.
#
# Builds, from the same C sources as the native library:
#   deps/        GSL and libconfig from Debian's source packages (web/deps.sh)
#   libasim_*.a  those two (the source lists their own Makefile.am name) and
#                the library: every source of add_library(asim ...) in
#                CMakeLists.txt; no CLI, no OpenMP, no MPI
#   web/         the page: index.html, its scripts and allysim_web.js (the
#                wasm inside: -sSINGLE_FILE, so the page runs from file://),
#                with the shipped scenarios and coded periods embedded
set(ASIM_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(ASIM_WERROR)
  list(APPEND ASIM_WARNINGS -Werror)
endif()
set(ASIM_DEPS ${CMAKE_CURRENT_BINARY_DIR}/deps)
execute_process(COMMAND bash ${PROJECT_SOURCE_DIR}/web/deps.sh ${ASIM_DEPS} RESULT_VARIABLE deps_rc)
if(NOT deps_rc EQUAL 0)
  message(FATAL_ERROR "web/deps.sh could not fetch the GSL and libconfig sources (see above)")
endif()
set(GSL_SRC ${ASIM_DEPS}/gsl)
set(LIBCONFIG_SRC ${ASIM_DEPS}/libconfig/lib)

# GSL's headers as its own build installs them (<gsl/gsl_*.h>), and a
# config.h for a C99 libm with IEEE arithmetic (what configure finds there).
file(GLOB gsl_headers ${GSL_SRC}/gsl_*.h ${GSL_SRC}/*/gsl_*.h)
file(COPY ${gsl_headers} DESTINATION ${ASIM_DEPS}/include/gsl)
file(READ ${GSL_SRC}/config.h.in gsl_config)
string(REGEX REPLACE "#undef (HAVE_DECL_[A-Z0-9_]+)" "#define \\1 1" gsl_config "${gsl_config}")
foreach(absent FEENABLEEXCEPT FESETTRAPENABLE FPRND_T)
  string(REPLACE "#define HAVE_DECL_${absent} 1" "#define HAVE_DECL_${absent} 0" gsl_config "${gsl_config}")
endforeach()
foreach(have IEEE_COMPARISONS IEEE_DENORMALS C99_INLINE EXIT_SUCCESS_AND_FAILURE STDINT_H STDLIB_H
             STRING_H INTTYPES_H MEMCPY MEMMOVE STRDUP STRTOL STRTOUL VPRINTF LIBM)
  string(REPLACE "#undef HAVE_${have}\n" "#define HAVE_${have} 1\n" gsl_config "${gsl_config}")
endforeach()
file(CONFIGURE OUTPUT ${ASIM_DEPS}/gslconf/config.h CONTENT "${gsl_config}" @ONLY)

# The parts of GSL the library calls, each directory's sources as its
# Makefile.am lists them.
set(gsl_dirs err sys utils complex poly specfunc ieee-utils cdf randist rng sort statistics qrng
             multimin multifit linalg matrix vector block permutation blas cblas min eigen)
set(gsl_sources)
foreach(d ${gsl_dirs})
  file(READ ${GSL_SRC}/${d}/Makefile.am am)
  string(REGEX REPLACE "\\\\\n" " " am "${am}")
  string(REGEX MATCH "lib[a-z_]*_la_SOURCES[ \t]*=[^\n]*" line "${am}")
  string(REGEX REPLACE "^[^=]*=" "" line "${line}")
  string(REGEX MATCHALL "[A-Za-z0-9_.-]+\\.c" files "${line}")
  foreach(f ${files})
    list(APPEND gsl_sources ${GSL_SRC}/${d}/${f})
  endforeach()
endforeach()
add_library(asim_gsl STATIC ${gsl_sources})
target_include_directories(asim_gsl PRIVATE ${ASIM_DEPS}/gslconf ${GSL_SRC} ${GSL_SRC}/utils
                           PUBLIC ${ASIM_DEPS}/include)
target_compile_definitions(asim_gsl PRIVATE HAVE_CONFIG_H)
target_compile_options(asim_gsl PRIVATE -w)

add_library(asim_libconfig STATIC ${LIBCONFIG_SRC}/libconfig.c ${LIBCONFIG_SRC}/scanctx.c
            ${LIBCONFIG_SRC}/strbuf.c ${LIBCONFIG_SRC}/grammar.c ${LIBCONFIG_SRC}/scanner.c)
target_include_directories(asim_libconfig PUBLIC ${LIBCONFIG_SRC})
target_compile_options(asim_libconfig PRIVATE -w)

# The library: the source list of add_library(asim STATIC ...) in CMakeLists.txt.
file(READ ${PROJECT_SOURCE_DIR}/CMakeLists.txt top)
string(REGEX MATCH "add_library\\(asim STATIC([^)]*)\\)" lib "${top}")
string(REGEX MATCHALL "sim/[A-Za-z0-9_]+\\.c" asim_sources "${CMAKE_MATCH_1}")
add_library(asim STATIC ${asim_sources})
add_dependencies(asim asim_gitversion)
target_include_directories(asim PUBLIC include PRIVATE sim ${ASIM_GEN_DIR})
target_compile_definitions(asim PRIVATE ASIM_VERSION_STRING="${PROJECT_VERSION}"
                           _POSIX_C_SOURCE=200809L)
# The library's warnings stay at zero here too, where clang and wasm32
# (32-bit size_t, no OpenMP: its pragmas are ignored) add their own.
target_compile_options(asim PRIVATE ${ASIM_WARNINGS} -Wno-unknown-pragmas)
# The model's lane loops vectorised to WebAssembly SIMD (exact IEEE
# arithmetic, no fused multiply-add: the same values as the scalar code).
target_compile_options(asim PRIVATE -msimd128)
target_link_libraries(asim PUBLIC asim_gsl asim_libconfig)

# The page's API (web/asim_web.c) and the module the page loads.
set(web_exports asim_web_load asim_web_set asim_web_error asim_web_run asim_web_steps
    asim_web_ncols asim_web_colname asim_web_col asim_web_summary_ncols
    asim_web_summary_colname asim_web_summary asim_web_config_text asim_web_csv_text
    asim_web_agent asim_web_param_help asim_web_param_range asim_web_get malloc free)
list(TRANSFORM web_exports PREPEND "_")
string(REPLACE ";" "," web_exports "${web_exports}")
set(web_out ${CMAKE_CURRENT_BINARY_DIR}/web)
file(GLOB presets ${PROJECT_SOURCE_DIR}/configs/*.cfg ${PROJECT_SOURCE_DIR}/configs/observations/*.csv)
set(embed)
foreach(f ${presets})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${f})
  list(APPEND embed "SHELL:--embed-file ${f}@/${rel}")
endforeach()
add_executable(allysim_web web/asim_web.c)
target_compile_definitions(allysim_web PRIVATE _POSIX_C_SOURCE=200809L)
target_compile_options(allysim_web PRIVATE ${ASIM_WARNINGS})
target_link_libraries(allysim_web PRIVATE asim)
set_target_properties(allysim_web PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${web_out} SUFFIX .js)
# SINGLE_FILE: the wasm inlined, so the page runs from file://. Compiled
# synchronously (about 0.5 MB, under Chromium's limit for that): the module
# is ready before the page's load event, so headless Chromium's virtual
# time (web/browser_test.sh) cannot run out while it compiles in the
# background, which left the self-test unstarted in about 1 run in 10.
target_link_options(allysim_web PRIVATE -sSINGLE_FILE=1 -sMODULARIZE=1 -sEXPORT_NAME=createAllysim
  -sWASM_ASYNC_COMPILATION=0 -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=web,node -sEXPORTED_FUNCTIONS=${web_exports}
  -sEXPORTED_RUNTIME_METHODS=ccall,cwrap,UTF8ToString,FS ${embed})
set_property(TARGET allysim_web APPEND PROPERTY LINK_DEPENDS ${presets})

# The page's own files next to the module.
set(page_files index.html explorer.css explorer.js plot.js selftest.js)
foreach(f ${page_files})
  add_custom_command(OUTPUT ${web_out}/${f}
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/web/${f} ${web_out}/${f}
    DEPENDS ${PROJECT_SOURCE_DIR}/web/${f})
  list(APPEND page_out ${web_out}/${f})
endforeach()
add_custom_target(web_page ALL DEPENDS ${page_out})
add_dependencies(web_page allysim_web)
