package dev.idefics4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;

/**
 * Turns a failed Hub answer into a {@link HubException} that says what to do. The Hub states the cause in an
 * {@code X-Error-Code} header (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) that huggingface_hub also
 * reads; note that it answers 401 RepoNotFound for private and missing repositories alike, to hide which exist.
 */
final class HubErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INVALID_CREDENTIALS = "Invalid credentials in Authorization header";
    private static final String DISABLED = "Access to this resource is disabled.";

    private HubErrors() {
    }

    /**
     * @param fromHub   whether the answer came from the Hub itself rather than the storage it redirected to
     * @param tokenSent whether this request carried the token
     */
    static HubException forStatus(int status, HttpHeaders headers, byte[] body, URI url, boolean fromHub,
                                  boolean tokenSent, HubTarget target, URI endpoint) {
        String code = headers.firstValue("X-Error-Code").orElse("");
        String detail = detail(headers, body);
        if (!fromHub) {
            return new HubException(status >= 500 ? HubException.Kind.UNAVAILABLE : HubException.Kind.OTHER,
                    "Downloading " + target.describe() + " from " + url.getHost() + " failed with HTTP " + status
                            + "; run again to retry" + detail);
        }
        String repoPage = endpoint + "/" + target.repoId();
        String tokenHint = " (create one at " + endpoint + "/settings/tokens; or save it to $HF_HOME/token)";
        String message = headers.firstValue("X-Error-Message").orElse("");
        if (code.equals("RevisionNotFound")) {
            return new HubException(HubException.Kind.REVISION_NOT_FOUND, "Revision '" + target.revision()
                    + "' not found in " + target.repoId() + ": check the branch, tag or commit hash." + detail);
        }
        if (code.equals("EntryNotFound")) {
            return new HubException(HubException.Kind.FILE_NOT_FOUND, "File '" + target.file() + "' not found in "
                    + target.repoId() + " at revision '" + target.revision() + "'." + detail);
        }
        if (code.equals("GatedRepo")) {
            return tokenSent
                    ? new HubException(HubException.Kind.ACCESS_DENIED, target.repoId() + " is gated and your token"
                            + " (HF_TOKEN) has no access to it yet: request access at " + repoPage
                            + " with the token's account." + detail)
                    : new HubException(HubException.Kind.AUTH_REQUIRED, target.repoId() + " is a gated repository:"
                            + " accept its conditions at " + repoPage + ", then set HF_TOKEN to a token of that"
                            + " account" + tokenHint + "." + detail);
        }
        if (message.equals(DISABLED)) {
            return new HubException(HubException.Kind.ACCESS_DENIED, "Access to " + target.repoId()
                    + " has been disabled on the Hub." + detail);
        }
        if (status == 401 && message.equals(INVALID_CREDENTIALS)) {
            return new HubException(HubException.Kind.ACCESS_DENIED, "The Hub rejected the token (HF_TOKEN or"
                    + " $HF_HOME/token): it is invalid or expired. Set HF_TOKEN to a valid one" + tokenHint + "."
                    + detail);
        }
        if (code.equals("RepoNotFound") || status == 401 || (status == 404 && target.file() == null)) {
            return new HubException(HubException.Kind.REPO_NOT_FOUND, "Repository '" + target.repoId()
                    + "' not found on " + endpoint + ". Check the name" + (tokenSent
                    ? ", and that your token (HF_TOKEN) has access to it if it is private or gated." + detail
                    : "; if it is private or gated, set HF_TOKEN to a token with access" + tokenHint + "." + detail));
        }
        if (status == 403) {
            return tokenSent
                    ? new HubException(HubException.Kind.ACCESS_DENIED, "Your token (HF_TOKEN) is not allowed to read "
                            + target.describe() + ": check its permissions at " + endpoint + "/settings/tokens."
                            + detail)
                    : new HubException(HubException.Kind.AUTH_REQUIRED, target.describe() + " needs authentication:"
                            + " set HF_TOKEN" + tokenHint + "." + detail);
        }
        if (status == 404) {
            return new HubException(HubException.Kind.FILE_NOT_FOUND, target.describe() + " not found ("
                    + url + ")." + detail);
        }
        if (status == 429 || status >= 500) {
            return new HubException(HubException.Kind.UNAVAILABLE, "The Hub answered HTTP " + status + " for "
                    + target.describe() + (status == 429 ? ": rate limited, wait and retry (a token raises the limit)."
                    : ": a server problem, retry later.") + detail);
        }
        return new HubException(HubException.Kind.OTHER, "Unexpected HTTP " + status + " from " + url + " for "
                + target.describe() + "." + detail);
    }

    /** The server's own words and request id, which the Hub's support asks for. */
    private static String detail(HttpHeaders headers, byte[] body) {
        String message = headers.firstValue("X-Error-Message").orElseGet(() -> jsonError(body));
        String requestId = headers.firstValue("X-Request-Id").orElse(null);
        if (message == null && requestId == null) {
            return "";
        }
        return " [" + (message != null ? "Hub: " + message : "") + (message != null && requestId != null ? "; " : "")
                + (requestId != null ? "request id " + requestId : "") + "]";
    }

    private static String jsonError(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode error = JSON.readTree(body).path("error");
            return error.isTextual() && !error.textValue().isBlank() ? error.textValue() : null;
        } catch (IOException | RuntimeException e) {
            return null; // an HTML error page: the status says enough
        }
    }
}
