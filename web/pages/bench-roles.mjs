export const benchRoles = {};
