# embed.cmake - compiles a text file into the binary as a C function that
# returns it, NUL-terminated.  Bytes are written as numbers, so no character
# of the text needs escaping.
#
#   cmake -DINPUT=in.json -DOUTPUT=out.c -DFUNCTION=name -DHEADER=costrank/x.h -P embed.cmake
#
# HEADER declares FUNCTION (so that -Wmissing-prototypes holds).
# With -DBINARY=ON the file may hold any byte (a msgfmt .mo catalogue) and
# FUNCTION is `const unsigned char *FUNCTION(size_t *size)`.
foreach(var INPUT OUTPUT FUNCTION HEADER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(FIND "${bytes}" "0x00," nul)
if(NOT nul EQUAL -1 AND NOT BINARY)
  message(FATAL_ERROR "embed.cmake: ${INPUT} holds a NUL byte")
endif()
string(REPEAT "0x..," 16 line)   # CMake regexes have no {n}
string(REGEX REPLACE "(${line})" "\\1\n\t" bytes "${bytes}")
get_filename_component(name "${INPUT}" NAME)

if(BINARY)
  file(SIZE "${INPUT}" size)
  file(WRITE "${OUTPUT}" "/* Generated from ${name} by cmake/embed.cmake: do not edit. */
#include <stddef.h>
#include \"${HEADER}\"

static const unsigned char embedded[] = {
\t${bytes}0x00
};

const unsigned char *${FUNCTION}(size_t *size)
{
\t*size = ${size};
\treturn embedded;
}
")
  return()
endif()

set(text "/* Generated from ${name} by cmake/embed.cmake: do not edit. */
#include \"${HEADER}\"

static const char embedded[] = {
\t${bytes}0x00
};

const char *${FUNCTION}(void)
{
\treturn embedded;
}
")
file(WRITE "${OUTPUT}" "${text}")
