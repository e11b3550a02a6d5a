"""The drafting assistant: understanding a question, retrieving and weighing passages,
the extractive answer, the chat-model path, and the chain that ties them."""
