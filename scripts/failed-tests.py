#!/usr/bin/env python3
"""Lists the failed tests of the .trx files in a folder as '<test dll>\t<filter>' lines, one per test assembly.

The filter selects each failed test method by its fully qualified name, for one rerun with `dotnet test <dll> --filter`.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def real_path(path):
    """The trx writes the test dll's path in lower case: find the file as it is spelled on disk."""
    current = pathlib.Path("/")
    for part in pathlib.Path(path).parts[1:]:
        match = next((c for c in current.iterdir() if c.name.lower() == part.lower()), None) if current.is_dir() else None
        if match is None:
            return path
        current = match
    return str(current)


failed = {}
for trx in sorted(pathlib.Path(sys.argv[1]).rglob("*.trx")):
    root = ET.parse(trx).getroot()
    tests = {}
    for unit in root.iterfind(".//t:TestDefinitions/t:UnitTest", NS):
        method = unit.find("t:TestMethod", NS)
        tests[unit.get("id")] = (unit.get("storage"), f'{method.get("className")}.{method.get("name")}')
    for result in root.iterfind(".//t:Results/t:UnitTestResult", NS):
        if result.get("outcome") == "Failed" and result.get("testId") in tests:
            dll, name = tests[result.get("testId")]
            failed.setdefault(dll, set()).add(name)

def find_dll(path):
    """The dll on disk; where the trx's path does not lead to it, the test project's Release build of that name."""
    found = real_path(path)
    if pathlib.Path(found).is_file():
        return found
    repo = pathlib.Path(__file__).resolve().parent.parent
    name = pathlib.Path(path).name.lower()
    builds = [p for p in repo.glob("tests/*/bin/Release/*/*.dll") if p.name.lower() == name]
    return str(builds[0]) if builds else found


for dll, names in failed.items():
    print(find_dll(dll) + "\t" + "|".join(f"FullyQualifiedName={n}" for n in sorted(names)))
