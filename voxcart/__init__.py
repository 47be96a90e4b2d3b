"""The `voxcart` command's composition root: each package's commands in one parser."""
