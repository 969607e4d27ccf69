"""The 2-D GAN family: a generator from noise to the plane against a discriminator, as in GAN Lab."""
