#![no_std]
#![no_main]
// placeholder: filled in by its own change
