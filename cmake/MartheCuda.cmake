# The CUDA target is on where the CUDA toolkit is: its ptxas and fatbinary
# build the kernels' binaries, its cudart and cuBLAS the runtime. Without it
# everything else builds and marthe-compile refuses --device=cuda.
find_package(CUDAToolkit QUIET)
find_program(MARTHE_PTXAS ptxas HINTS ${CUDAToolkit_BIN_DIR} NO_CACHE)
if(CUDAToolkit_FOUND AND NOT CMAKE_CUDA_COMPILER AND CUDAToolkit_NVCC_EXECUTABLE)
  set(CMAKE_CUDA_COMPILER ${CUDAToolkit_NVCC_EXECUTABLE}) # nvcc need not be on PATH
endif()
include(CheckLanguage)
check_language(CUDA)
if(CUDAToolkit_FOUND AND MARTHE_PTXAS AND CMAKE_CUDA_COMPILER)
  set(MARTHE_HAVE_CUDA 1)
  set(CMAKE_CUDA_ARCHITECTURES 90)
  set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
  enable_language(CUDA)
  get_filename_component(MARTHE_CUDA_TOOLKIT_DIR "${CUDAToolkit_BIN_DIR}" DIRECTORY)
  # cudart is linked statically (the trainer starts and reports a missing
  # GPU where no driver is); cuBLAS is found at run time beside CUDA or on
  # LD_LIBRARY_PATH.
  set(MARTHE_CUDA_LINK_FLAGS
      "-L${CUDAToolkit_LIBRARY_DIR} -Wl,-rpath,${CUDAToolkit_LIBRARY_DIR} -lcublas -lcudart_static -ldl -lrt")
  message(STATUS "marthe: CUDA target on (toolkit ${MARTHE_CUDA_TOOLKIT_DIR}, cubins for sm_80/86/89/90 + PTX)")
  # cuDNN (convolutions) is opened at run time; building needs only cudnn.h.
  find_path(MARTHE_CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS}
            PATH_SUFFIXES cudnn)
  if(MARTHE_CUDNN_INCLUDE_DIR)
    message(STATUS "marthe: cuDNN headers in ${MARTHE_CUDNN_INCLUDE_DIR}: convolutions on the GPU")
  else()
    message(STATUS "marthe: no cuDNN headers (cudnn.h) found: CUDA trainers stop at their "
                   "first convolution; set MARTHE_CUDNN_INCLUDE_DIR to enable them")
  endif()
else()
  set(MARTHE_HAVE_CUDA 0)
  set(MARTHE_CUDA_TOOLKIT_DIR "")
  set(MARTHE_CUDA_LINK_FLAGS "")
  message(STATUS "marthe: CUDA target off (no CUDA toolkit with nvcc and ptxas found; "
                 "set CUDAToolkit_ROOT to enable it)")
endif()
