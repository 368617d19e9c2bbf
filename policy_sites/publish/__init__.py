"""Stage 7, publish: freeze a setting's rendered policies as a ratified version."""
