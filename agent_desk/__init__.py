"""The agents' web desk: sign-in, the current call's ticket (page and screen-pop API), the
ticket page with notes, and the status buttons. It composes the queues' presence and the
tickets' store through their public functions; hotline.app wires it in, and no feature
imports it."""
