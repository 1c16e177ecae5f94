"""The Symphony XTS family: one implementation configured per member broker (see `member.py`)."""
