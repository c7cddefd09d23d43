"""Assets: the partners' land and building registers, and buildings of different bodies close together."""
