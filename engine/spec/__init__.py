"""The project as plain data: dataclasses, validation, migration, and the registries' names and parameters."""
