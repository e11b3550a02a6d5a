"""The assistant's bounds, in a module of their own: the web pages and the application's
checks read them without importing LangChain (about a second at each process start)."""

MAX_QUESTION_CHARS = 1000
RETRIEVE = 12  # passages read for each question (the retriever's k)
