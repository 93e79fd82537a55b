"""The model's eye: what a model expects at every position of the tune, shown in a
dock, in the ABC editor's shading and tooltips, and as marks on the piano roll.

``worker`` (the worker thread and its UI-thread controller), ``shading`` (colours,
marks and words from a view), ``strip`` (the guess strip, the event list),
``panel`` (the dock's widget), ``binding`` (the wiring to the window). Nothing here
imports torch: the worker thread does, at its first request.
"""

from composer.ui.eye.binding import ModelEye

__all__ = ["ModelEye"]
