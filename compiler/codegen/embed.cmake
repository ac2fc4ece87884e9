# Writes the runtime header as a C++ raw string literal: cmake -P embed.cmake
file(READ "${INPUT}" content)
file(WRITE "${OUTPUT}" "R\"xfmr_runtime_h(${content})xfmr_runtime_h\"\n")
