"""The device: microphone/speaker loop, and the `voxcart` command that wires everything."""
