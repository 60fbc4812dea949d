// PeelApp
