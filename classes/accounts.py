"""django-allauth adapters: sign-up is closed; administrators create logins (classes/logins.py).

The optional VK ID login (allauth's `vk` provider, off unless configured in settings) only logs in a
user who already connected VK ID to their login; it never creates a login.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False


class ClosedSignupSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False
