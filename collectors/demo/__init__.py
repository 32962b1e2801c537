"""The demo estate: a realistic two-site estate with 13 months of planted history."""

from collectors.demo.build import SCALES, DemoPaths, build_demo, estate_file_text

__all__ = ["SCALES", "DemoPaths", "build_demo", "estate_file_text"]
