"""docs/architecture.md is the map of the package: it must name every module in the tree."""
from conftest import ROOT

PACKAGE = ROOT / "src" / "peercourse"


def test_the_architecture_page_names_every_module_of_the_package():
    page = (ROOT / "docs" / "architecture.md").read_text()
    modules = sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
                     if "__pycache__" not in path.parts)
    assert len(modules) > 30
    missing = [m for m in modules if f"`{m.rsplit('/', 1)[-1]}`" not in page]
    assert missing == []
    folders = sorted({p.parent.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")} - {"."})
    assert [f for f in folders if f"`{f}/`" not in page] == []
