CALL cleanup()
