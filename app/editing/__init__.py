"""The section editor's companions: drafts kept on the server, who else is editing, the
preview of a proposal, and the text a form's editor document stands for."""
