import os

import lit.formats
from lit.llvm import llvm_config

config.name = "marthe"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.marthe_obj_root, "test")

# FileCheck, not, count and friends from LLVM's tools directory.
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["marthe-opt", "marthe-compile"], [config.marthe_tools_dir])

config.substitutions.append(("%fixtures", config.marthe_fixtures_dir))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%src", config.marthe_src_root))

# cuda-target: this build has the CUDA target; gpu: this machine has an
# NVIDIA GPU (tests that check the no-GPU behaviour are unsupported there).
if config.marthe_have_cuda:
    config.available_features.add("cuda-target")
    config.substitutions.append(("%cuda_toolkit", config.cuda_toolkit_dir))
    config.substitutions.append(("%marthe_cuda_runtime", os.path.join(
        config.marthe_obj_root, "lib", "marthe", "libmarthe_cuda_runtime.a")))
# cuobjdump: NVIDIA's fatbin lister, a test oracle scripts/common.sh installs.
cuobjdump = os.path.join(config.marthe_src_root, ".oracles", "nvidia", "cu13", "bin", "cuobjdump")
if os.access(cuobjdump, os.X_OK):
    config.available_features.add("cuobjdump")
    config.substitutions.append(("%cuobjdump", cuobjdump))
if any(os.path.exists("/dev/nvidia%d" % i) for i in range(16)):
    config.available_features.add("gpu")
