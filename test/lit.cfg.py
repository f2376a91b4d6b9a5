import os

import lit.formats

config.name = "marthe"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.marthe_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.marthe_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("%fixtures", config.marthe_fixtures_dir))
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%src", config.marthe_src_root))
