// The simulator's only door to the sandbox: JSON over fetch to /app/api/... (sandbox/README.md,
// "The phone-app JSON API"). Errors become ApiError with InPost's error_code, the message,
// and the contract violations ({field, problem}) when a merchant's answer broke the contract.

export class ApiError extends Error {
  constructor(status, code, message, violations = [], extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.violations = Array.isArray(violations) ? violations : [];
    this.extra = extra;
  }
}

export function createApi(base) {
  async function call(method, path, body) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(base + path, options);
    } catch {
      throw new ApiError(0, "NETWORK", "Brak połączenia z serwerem InPost (sandbox).");
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const { error_code: code, error_message: message, violations, ...extra } = data || {};
      throw new ApiError(response.status, code || `HTTP_${response.status}`,
        message || `Serwer odpowiedział HTTP ${response.status}.`, violations, extra);
    }
    return data;
  }

  return {
    get: (path) => call("GET", path),
    post: (path, body = {}) => call("POST", path, body),
    del: (path) => call("DELETE", path),
  };
}

export const enc = encodeURIComponent;
