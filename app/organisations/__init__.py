"""The organisations' ties: an office's collectivité de rattachement, an EPCI's PLH, the
territories, where an organisme owns housing; and what they propose for a CUS."""
