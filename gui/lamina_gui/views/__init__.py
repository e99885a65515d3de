"""The app's views: one per tab (Compose, Data, Train, Visualize) and its dialogs."""
