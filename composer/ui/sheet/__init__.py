"""The sheet-music view: verovio engraves the document's ABC to SVG, QtSvg draws it."""
