"""The deliberations of the parties' assemblies on a convention."""
