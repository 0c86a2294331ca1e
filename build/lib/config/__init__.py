"""Settings: defaults with units, a TOML file, environment overrides, validated."""
