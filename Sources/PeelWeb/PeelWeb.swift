// PeelWeb
