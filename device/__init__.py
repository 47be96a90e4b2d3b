"""The device: microphone/speaker loop, and its commands (`voxcart voice`, `listen`, `devices`)."""
