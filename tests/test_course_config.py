"""The one loader of the course's nbgrader settings, used by every tool that runs nbgrader."""
import os
import sys
from pathlib import Path

from peercourse.course_config import load_config, with_environment_bin


def test_the_course_directory_is_the_root_unless_the_file_names_one(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'x'\n")
    config = load_config(tmp_path)
    assert (config.CourseDirectory.root, config.CourseDirectory.course_id) == (str(tmp_path), "x")
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.root = '/srv/course'\n")
    assert load_config(tmp_path).CourseDirectory.root == "/srv/course"


def test_child_processes_find_this_environment_first():
    env = with_environment_bin({"PATH": "/usr/bin", "HOME": "/home/ana"})
    assert env == {"PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin", "HOME": "/home/ana"}
