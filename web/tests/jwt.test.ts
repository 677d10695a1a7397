import { describe, expect, it } from "vitest";
import { decodeJwtPayload, hasAnyGroup, userFromIdToken } from "../src/auth/jwt";
import { fakeJwt } from "./helpers";

describe("decodeJwtPayload", () => {
  it("decodes base64url JSON with UTF-8 text", () => {
    const token = fakeJwt({ sub: "u-1", name: "山田 太郎", note: "??>>" });
    expect(decodeJwtPayload(token)).toMatchObject({ sub: "u-1", name: "山田 太郎", note: "??>>" });
  });

  it("rejects a token without a payload", () => {
    expect(() => decodeJwtPayload("abc")).toThrow();
  });
});

describe("userFromIdToken", () => {
  it("reads email and cognito:groups", () => {
    const user = userFromIdToken(fakeJwt({ sub: "u-1", email: "t@example.com", "cognito:groups": ["teachers"] }));
    expect(user).toEqual({ sub: "u-1", email: "t@example.com", groups: ["teachers"] });
    expect(hasAnyGroup(user, "teachers", "admins")).toBe(true);
    expect(hasAnyGroup(user, "admins")).toBe(false);
  });

  it("treats a user without groups as belonging to none", () => {
    const user = userFromIdToken(fakeJwt({ sub: "u-2", "cognito:username": "learner" }));
    expect(user.groups).toEqual([]);
    expect(user.email).toBe("learner");
    expect(hasAnyGroup(null, "teachers")).toBe(false);
  });
});
