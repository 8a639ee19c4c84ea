"""The app's screens: home (the lessons), a lesson page with its live scene, help, and a too-small notice."""
