"""The demo estate: a realistic two-site estate with 13 months of planted history."""

from collectors.demo.build import (
    SCALES,
    SEEDS,
    DemoFolderError,
    DemoPaths,
    build_demo,
    estate_file_text,
    foreign_files,
)

__all__ = [
    "SCALES",
    "SEEDS",
    "DemoFolderError",
    "DemoPaths",
    "build_demo",
    "estate_file_text",
    "foreign_files",
]
