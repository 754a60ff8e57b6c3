/** The version of the plugin contract this kernel implements; plugins declare a semver range against it. */
export const KERNEL_VERSION = '1.1.0';
