"""Composer's hook for torch (it replaces pyinstaller-hooks-contrib's, which collects every
torch submodule, its test programs and test libraries).

Kept: the modules that imports reach (found by PyInstaller's analysis; the spec excludes
the compiler stack), as .py files too ("pyz+py": torch reads its own source at import
time, e.g. ``torch.utils._config_module``), the data files torch reads, and the shared
libraries of ``torch/lib`` but the test ones. Left out: C++ headers, CMake files,
``torch/bin`` but ``torch_shm_manager`` (``import torch`` checks that it is there), test
programs and protoc, ``torch/test``, the test libraries.
"""

import os

from PyInstaller.utils.hooks import collect_data_files, collect_dynamic_libs, get_package_paths

module_collection_mode = "pyz+py"
warn_on_missing_hiddenimports = False

_SKIP = ("**/*.h", "**/*.hpp", "**/*.cuh", "**/*.cpp", "**/*.lib", "**/*.pyi", "**/*.cmake",
         "**/*.a", "include/**", "share/**", "bin/**", "test/**",
         "_inductor/**", "_dynamo/**", "onnx/**", "utils/benchmark/**", "utils/model_dump/**")
datas = collect_data_files("torch", excludes=list(_SKIP))

_TEST_LIBS = ("jitbackend_test", "torchbind_test", "aoti_custom_ops", "backend_with_compiler")
binaries = [
    (src, dest)
    for src, dest in collect_dynamic_libs("torch", search_patterns=["*.so", "*.so.*", "*.dylib",
                                                                    "*.dll", "*.pyd"])
    if not any(t in src for t in _TEST_LIBS) and "/bin/" not in src.replace("\\", "/")
]
_SHM = os.path.join(get_package_paths("torch")[1], "bin", "torch_shm_manager")
if os.path.isfile(_SHM):
    binaries.append((_SHM, "torch/bin"))
hiddenimports = []
# As the contrib hook: no links from the top folder to torch/lib (torch finds its own
# libraries by their real location).
bindepend_symlink_suppression = ["**/torch/lib/*.so*"]
