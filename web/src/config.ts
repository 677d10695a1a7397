/**
 * Runtime configuration of the SPA, served as `/config.json` next to the build (see
 * docs/contracts.md). Nothing environment-specific is compiled into the bundle.
 */
export interface AppConfig {
  /** Base URL of the API, without a trailing slash. */
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** Cognito endpoint override (local emulator); `null` in the cloud. */
  readonly cognitoEndpoint: string | null;
  readonly environment: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function requireString(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`config.json: "${key}" must be a non-empty string`);
  }
  return value.trim();
}

function optionalString(raw: Record<string, unknown>, key: string): string | null {
  const value = raw[key];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw new ConfigError(`config.json: "${key}" must be a string or null`);
  return value.trim();
}

const stripTrailingSlash = (url: string): string => url.replace(/\/+$/, "");

export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("config.json must be a JSON object");
  }
  const obj = raw as Record<string, unknown>;
  return {
    apiUrl: stripTrailingSlash(requireString(obj, "apiUrl")),
    region: requireString(obj, "region"),
    userPoolId: optionalString(obj, "userPoolId") ?? "",
    userPoolClientId: requireString(obj, "userPoolClientId"),
    cognitoEndpoint: optionalString(obj, "cognitoEndpoint"),
    environment: optionalString(obj, "environment") ?? "production",
  };
}

/** The Cognito Identity Provider JSON endpoint to POST to. */
export function cognitoUrl(config: Pick<AppConfig, "cognitoEndpoint" | "region">): string {
  return config.cognitoEndpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`;
}

export async function loadConfig(
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
  url = "/config.json",
): Promise<AppConfig> {
  const response = await fetchFn(url, { cache: "no-store", headers: { Accept: "application/json" } });
  if (!response.ok) throw new ConfigError(`${url}: HTTP ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`${url}: not valid JSON`);
  }
  return parseConfig(body);
}
