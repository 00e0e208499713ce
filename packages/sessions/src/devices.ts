/**
 * The device registry: a signed cookie carrying a random browser id lets a
 * returning browser be recognised (per user), so a sign-in from a new device
 * can be announced and a device can be marked trusted. Nothing but the cookie
 * and the `User-Agent` header is used: no fingerprinting.
 *
 * @packageDocumentation
 */
import { type Clock, type EventBus, isGatehouseError } from "@gatehouse/core";
import type { RecordStore, StoredRecord } from "@gatehouse/core/store";
import { randomToken, type SecretRing } from "./crypto.js";
import { deviceModel } from "./models.js";
import type { DeviceInfo, GeoLocation } from "./types.js";
import type { ParsedUserAgent } from "./user-agent.js";

type DeviceRecord = StoredRecord<typeof deviceModel>;

/** Where a sign-in came from, as the registry records it. */
export interface DeviceSighting {
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly parsed: ParsedUserAgent;
  readonly location: GeoLocation | null;
}

/** What {@link DeviceRegistry.recognise} found. */
export interface RecognisedDevice {
  readonly device: DeviceRecord;
  /** The cookie value to set (the same browser id, freshly signed). */
  readonly deviceToken: string;
  readonly newDevice: boolean;
  /** The user had no device before this one. */
  readonly firstDevice: boolean;
}

const BROWSER_ID = /^[A-Za-z0-9_-]{22}$/;

/** Devices per user in the RecordStore, recognised by a signed cookie. */
export class DeviceRegistry {
  constructor(
    private readonly records: RecordStore,
    private readonly secrets: SecretRing,
    private readonly clock: Clock,
    private readonly events: EventBus | undefined,
  ) {}

  /** The browser id in a device cookie, if its signature checks. */
  browserIdOf(deviceToken: string | null | undefined): string | undefined {
    if (typeof deviceToken !== "string" || deviceToken.length > 128) return undefined;
    const dot = deviceToken.indexOf(".");
    const id = deviceToken.slice(0, dot);
    if (dot < 0 || !BROWSER_ID.test(id)) return undefined;
    return this.secrets.verifyMac("device-cookie", id, deviceToken.slice(dot + 1)) ? id : undefined;
  }

  private cookieFor(browserId: string): string {
    return `${browserId}.${this.secrets.mac("device-cookie", browserId)}`;
  }

  /** Finds or creates the user's record for this browser and updates what was seen. */
  async recognise(
    userId: string,
    deviceToken: string | null | undefined,
    seen: DeviceSighting,
  ): Promise<RecognisedDevice> {
    const browserId = this.browserIdOf(deviceToken) ?? randomToken(16);
    const deviceKey = `${browserId}/${userId}`;
    const now = this.clock.now();
    const facts = {
      lastSeenAt: now,
      lastIp: seen.ip,
      ...(seen.location === null ? {} : { lastLocation: { ...seen.location } }),
      browser: seen.parsed.browser,
      os: seen.parsed.os,
      deviceType: seen.parsed.deviceType,
      userAgent: seen.userAgent,
    };
    const cookie = this.cookieFor(browserId);
    const known = await this.records.findOne(deviceModel, { deviceKey });
    if (known !== undefined) {
      const device = await this.records.update(deviceModel, known.id, facts);
      return { device, deviceToken: cookie, newDevice: false, firstDevice: false };
    }
    let device: DeviceRecord;
    try {
      device = await this.records.create(deviceModel, {
        ...facts,
        userId,
        deviceKey,
        trusted: false,
      });
    } catch (err) {
      // The same browser signed the same user in twice at once: the other call created it.
      if (!isGatehouseError(err) || err.code !== "store_duplicate") throw err;
      const other = await this.records.findOne(deviceModel, { deviceKey });
      if (other === undefined) throw err;
      return { device: other, deviceToken: cookie, newDevice: false, firstDevice: false };
    }
    const { items } = await this.records.findMany(deviceModel, { where: { userId }, limit: 2 });
    return { device, deviceToken: cookie, newDevice: true, firstDevice: items.length <= 1 };
  }

  /** A user's devices, most recently seen first. */
  async list(userId: string): Promise<DeviceInfo[]> {
    const { items } = await this.records.findMany(deviceModel, {
      where: { userId },
      orderBy: { field: "lastSeenAt", direction: "desc" },
      limit: 100,
    });
    return items.map(deviceInfo);
  }

  /** Marks a device of `userId` as trusted or not; false when it is not theirs. */
  async trust(userId: string, deviceId: string, trusted: boolean): Promise<boolean> {
    const device = await this.records.findOne(deviceModel, { id: deviceId, userId });
    if (device === undefined) return false;
    if (device.trusted !== trusted) {
      await this.records.update(deviceModel, device.id, {
        trusted,
        trustedAt: trusted ? this.clock.now() : null,
      });
      this.events?.emit(trusted ? "device.trusted" : "device.untrusted", { userId, deviceId });
    }
    return true;
  }
}

/** The public view of a device record. */
export function deviceInfo(d: DeviceRecord): DeviceInfo {
  return Object.freeze({
    id: d.id,
    userId: d.userId,
    trusted: d.trusted,
    trustedAt: d.trustedAt ?? null,
    createdAt: d.createdAt,
    lastSeenAt: d.lastSeenAt,
    lastIp: d.lastIp ?? null,
    lastLocation: (d.lastLocation as GeoLocation | null | undefined) ?? null,
    browser: d.browser ?? null,
    os: d.os ?? null,
    deviceType: d.deviceType ?? null,
  });
}
