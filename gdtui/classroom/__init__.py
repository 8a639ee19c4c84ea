"""The classroom: `gdtui serve` (an SSH server running one `gdtui` per student session) and the
teacher's dashboard (`gdtui classroom`). Never imports gdtui.ui: a session runs the `gdtui` command."""

import warnings

# cryptography 51 deprecates DSA, and asyncssh (2.24) still names DSA types at import: without this, every
# `gdtui serve` and `gdtui classroom` would open with a dozen lines of warnings about keys we never offer
# (the host key is Ed25519). Only asyncssh's own modules are hushed, and only for this message.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"asyncssh\.")
