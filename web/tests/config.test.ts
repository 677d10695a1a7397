import { describe, expect, it } from "vitest";
import { ConfigError, cognitoUrl, loadConfig, parseConfig } from "../src/config";
import { jsonResponse, queueFetch } from "./helpers";

const valid = {
  apiUrl: "http://127.0.0.1:8081/",
  region: "ap-northeast-1",
  userPoolId: "ap-northeast-1_abc",
  userPoolClientId: "client",
  cognitoEndpoint: "http://127.0.0.1:4566",
  environment: "local",
};

describe("parseConfig", () => {
  it("accepts the contract's shape and drops the trailing slash of apiUrl", () => {
    expect(parseConfig(valid)).toEqual({ ...valid, apiUrl: "http://127.0.0.1:8081" });
  });

  it("requires apiUrl, region and userPoolClientId", () => {
    for (const key of ["apiUrl", "region", "userPoolClientId"]) {
      expect(() => parseConfig({ ...valid, [key]: undefined })).toThrow(ConfigError);
    }
    expect(() => parseConfig([])).toThrow(ConfigError);
  });
});

describe("cognitoUrl", () => {
  it("uses the override when given, the regional endpoint otherwise", () => {
    expect(cognitoUrl(parseConfig(valid))).toBe("http://127.0.0.1:4566");
    expect(cognitoUrl(parseConfig({ ...valid, cognitoEndpoint: null }))).toBe(
      "https://cognito-idp.ap-northeast-1.amazonaws.com/",
    );
  });
});

describe("loadConfig", () => {
  it("fetches /config.json without cache", async () => {
    const { fn, calls } = queueFetch(jsonResponse(200, valid));
    await expect(loadConfig(fn)).resolves.toMatchObject({ region: "ap-northeast-1" });
    expect(calls[0]?.url).toBe("/config.json");
    expect(calls[0]?.init.cache).toBe("no-store");
  });

  it("fails on HTTP errors", async () => {
    const { fn } = queueFetch(jsonResponse(404, {}));
    await expect(loadConfig(fn)).rejects.toBeInstanceOf(ConfigError);
  });
});
