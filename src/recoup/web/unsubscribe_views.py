"""The unsubscribe link of an email: public (the debtor is not signed in), found by a signed token.

GET shows what stopping means and a button (so a mail scanner that follows links does not opt anyone
out); POST records it. Mail clients' one-click unsubscribe (RFC 8058, `List-Unsubscribe-Post`) posts
to the same address. Either way the debtor gets no more email: a do-not-contact hold on email.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from recoup.communications.services import message_for_token, unsubscribe


@csrf_exempt  # mail clients post the one-click unsubscribe without a form; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    message = message_for_token(token)
    if message is None:
        raise Http404("This unsubscribe link is not valid.")
    done = False
    if request.method == "POST":
        unsubscribe(message=message, now=timezone.now())
        done = True
    return render(request, "web/unsubscribe.html", {"address": message.to_address, "done": done})
