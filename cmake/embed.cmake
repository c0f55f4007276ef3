# embed.cmake - compiles a text file into the binary as a C function that
# returns it, NUL-terminated.  Bytes are written as numbers, so no character
# of the text needs escaping.
#
#   cmake -DINPUT=in.json -DOUTPUT=out.c -DFUNCTION=name -DHEADER=costrank/x.h -P embed.cmake
#
# HEADER declares FUNCTION (so that -Wmissing-prototypes holds).
foreach(var INPUT OUTPUT FUNCTION HEADER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(FIND "${bytes}" "0x00," nul)
if(NOT nul EQUAL -1)
  message(FATAL_ERROR "embed.cmake: ${INPUT} holds a NUL byte")
endif()
string(REPEAT "0x..," 16 line)   # CMake regexes have no {n}
string(REGEX REPLACE "(${line})" "\\1\n\t" bytes "${bytes}")
get_filename_component(name "${INPUT}" NAME)

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
