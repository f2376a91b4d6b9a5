# Tools the tests run, found rather than assumed.

# lit: Debian's LLVMConfig may name a lit that does not exist.
if(NOT LLVM_EXTERNAL_LIT OR NOT EXISTS "${LLVM_EXTERNAL_LIT}")
  unset(LLVM_EXTERNAL_LIT CACHE)
  find_program(LLVM_EXTERNAL_LIT NAMES lit llvm-lit HINTS ${LLVM_TOOLS_BINARY_DIR} REQUIRED)
endif()

# The reference Python: an interpreter that imports torch, onnx and numpy.
# Another python3 (a pyenv shim, say) may come first on PATH, so the system
# prefixes are tried too.
function(marthe_python_works python result)
  execute_process(COMMAND ${python} -c "import torch, onnx, numpy"
                  RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
  if(status EQUAL 0)
    set(${result} TRUE PARENT_SCOPE)
  else()
    set(${result} FALSE PARENT_SCOPE)
  endif()
endfunction()

if(NOT MARTHE_PYTHON)
  find_program(MARTHE_PYTHON_ON_PATH python3)
  find_program(MARTHE_PYTHON_SYSTEM python3
               NO_CMAKE_ENVIRONMENT_PATH NO_SYSTEM_ENVIRONMENT_PATH NO_CMAKE_PATH)
  foreach(candidate ${MARTHE_PYTHON_ON_PATH} ${MARTHE_PYTHON_SYSTEM})
    marthe_python_works(${candidate} works)
    if(works)
      set(MARTHE_PYTHON ${candidate} CACHE FILEPATH "Python with torch, onnx and numpy")
      break()
    endif()
  endforeach()
  if(NOT MARTHE_PYTHON)
    message(FATAL_ERROR "no python3 that imports torch, onnx and numpy "
                        "(install python3-torch python3-onnx python3-numpy, or set MARTHE_PYTHON)")
  endif()
endif()
message(STATUS "Reference Python: ${MARTHE_PYTHON}")

# ONNX's backend node tests (Debian libonnx-testdata).
find_path(ONNX_NODE_TESTS_DIR NAMES test_gemm_alpha
          PATH_SUFFIXES share/libonnx-testdata/data/node libonnx-testdata/data/node)
