"""The names and parameter specs of the torch-built choices (activations, layers, losses, optimizers,
initialisers, input features) as plain data: validation and the GUI's lists read these without
importing torch; each entry's factory lives in engine.nn and is imported on first use.
"""
