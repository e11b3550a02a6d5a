"""The signed convention archived as PDF/A-2b: asked for at signing, made by a background
job (``operations``), read for the convention's page and the API (``queries``),
downloaded by every member (``views``, ``api``), made by hand (``cli``)."""
