/*
 * Minimal Cortex-M4 start-up for QEMU mps2-an386: vector table, .data/.bss set-up, FPU
 * enable (the Rust library is built for the hard-float ABI), semihosting stdio, main,
 * exit (the exit code reaches QEMU through semihosting).
 */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss;
extern int main(void);
extern void __libc_init_array(void);
extern void initialise_monitor_handles(void);

void Reset_Handler(void);
void Fault_Handler(void);

/* Entries 1-15; the linker script writes entry 0, the initial stack pointer. */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[15])(void) = {
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMon */
    0,
    Fault_Handler, /* PendSV */
    Fault_Handler, /* SysTick */
};

void Reset_Handler(void) {
    uint32_t *src = &_sidata;
    uint32_t *dst;
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;

    for (dst = &_sdata; dst < &_edata;) {
        *dst++ = *src++;
    }
    for (dst = &_sbss; dst < &_ebss;) {
        *dst++ = 0;
    }
    *cpacr |= (0xFu << 20); /* CP10 and CP11: full access */
    __asm volatile("dsb\n\tisb" ::: "memory");
    initialise_monitor_handles();
    __libc_init_array();
    exit(main());
}

void Fault_Handler(void) {
    exit(70);
}

/* Start-up files are not linked (-nostartfiles): newlib's init/fini hooks are empty. */
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}
