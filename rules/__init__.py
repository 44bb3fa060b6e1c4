"""keraslint's rules, one module per rule (installed as ``keraslint.rules``).

The registry (keraslint/registry.py) imports every module here and collects its Rule
subclasses; adding a rule means adding a module and its fixtures, nothing else.
"""
