print("zocheck")
